import Testing
@testable import HangarCore

@Suite struct NamesTests {
    @Test(arguments: ["acme/checkout", "a", "acme/check-out/api_v2", "a.b__c--d"])
    func acceptsOCIRepositoryNames(_ name: String) throws { try Names.checkProject(name) }

    @Test(arguments: ["Acme/checkout", "acme//checkout", "/acme", "acme/", "-acme", "acme_", "ac me", ""])
    func rejectsOtherProjectNamesNamingTheRule(_ name: String) {
        #expect { try Names.checkProject(name) } throws: { ($0 as! HangarError).message.contains("'\(name)'") }
    }

    @Test(arguments: ["2.4.0", "0.0.1", "10.20.30-beta.1", "1.0.0-alpha-x"])
    func acceptsSemanticVersions(_ v: String) throws { try Names.checkVersion(v) }

    @Test(arguments: [("2.4", "MAJOR.MINOR.PATCH"), ("02.4.0", "MAJOR.MINOR.PATCH"), ("2.4.0+build", "build metadata"),
                      ("2.4.0-rc.1", "-rc."), ("2.4.0-", "pre-release"), ("v2.4.0", "MAJOR.MINOR.PATCH")])
    func rejectsOtherVersionsSayingWhy(_ v: String, _ why: String) {
        #expect { try Names.checkVersion(v) } throws: { ($0 as! HangarError).message.contains(why) }
    }

    @Test func commitsAreFullLowercaseSHAs() throws {
        try Names.checkCommit(String(repeating: "a", count: 40))
        try Names.checkCommit(String(repeating: "0", count: 64))
        for bad in ["abc123", String(repeating: "A", count: 40), String(repeating: "a", count: 41)] {
            #expect(throws: HangarError.self) { try Names.checkCommit(bad) }
        }
    }

    @Test func candidateTagsRoundTrip() {
        #expect(Names.candidateTag(version: "2.4.0", rc: 3) == "2.4.0-rc.3")
        #expect(Names.parseCandidateTag("2.4.0-beta.1-rc.12")! == ("2.4.0-beta.1", 12))
        #expect(Names.parseCandidateTag("production") == nil)
        #expect(Names.parseCandidateTag("2.4.0-rc.01") == nil)
        #expect(Names.isValidTag("2.4.0-rc.1") && !Names.isValidTag(".x") && !Names.isValidTag("a+b"))
    }

    @Test func environmentsCannotLookLikeCandidateTags() {
        #expect(throws: HangarError.self) { try Names.checkEnvironment("1-rc.1") }
        #expect(throws: HangarError.self) { try Names.checkEnvironment("Prod") }
    }
}
