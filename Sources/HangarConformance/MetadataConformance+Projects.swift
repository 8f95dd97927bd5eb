import Foundation
import HangarCore

private typealias F = MetadataFixtures

extension MetadataStoreConformance {
    static let projectCases: [Case] = [
        Case("a project is created with its environments in order and an audit entry") { h in
            let store = try await h.makeStore()
            try await store.createProject(F.project("zeta/api"), environments: F.environments("zeta/api"),
                                          audit: F.draft(.projectCreated, project: "zeta/api"))
            try await F.seed(store)
            try require(try await store.project("acme/checkout") == F.project(), "project read back as created")
            try require(try await store.projects().map(\.name) == ["acme/checkout", "zeta/api"], "projects by name")
            let envs = try await store.environments(project: "acme/checkout")
            try require(envs == F.environments(), "environments in position order with their policies: \(envs)")
            try require(envs.allSatisfy { $0.current == nil && $0.generation == 0 }, "new environments point at nothing")
            try require(try await store.project("nobody/else") == nil, "an absent project is nil")
            try require(try await store.environments(project: "nobody/else").isEmpty, "an absent project has no environments")
            let log = try await F.auditLog(store)
            try require(log.map(\.action) == ["project.created", "project.created"], "one entry per creation: \(log)")
            try require(log.map(\.project) == ["zeta/api", "acme/checkout"], "entries name the projects")
        },
        Case("creating an existing project is a conflict and changes nothing") { h in
            let store = try await h.makeStore()
            try await F.seed(store)
            let again = F.project(singleStep: true)
            let e = try await requireThrows(.conflict, "second createProject") {
                try await store.createProject(again, environments: F.environments("acme/checkout", ["dev"]),
                                              audit: F.draft(.projectCreated))
            }
            try require(e.message.contains("acme/checkout"), "the error names the project: \(e.message)")
            try require(try await store.project("acme/checkout") == F.project(), "project unchanged")
            try require(try await store.environments(project: "acme/checkout") == F.environments(), "environments unchanged")
            try require(try await F.auditLog(store).count == 1, "no audit entry for the refused creation")
        },
        Case("environments not at positions 0…n-1 of the project are refused and nothing is created") { h in
            let store = try await h.makeStore()
            var gap = F.environments()
            gap[2].position = 3
            var foreign = F.environments()
            foreign[1].project = "zeta/api"
            var twice = F.environments()
            twice[2].name = "sandbox"
            for (label, envs) in [("a gap", gap), ("another project's", foreign), ("a repeated name", twice),
                                  ("reversed", F.environments().reversed())] {
                try await requireThrows(.invalidInput, "environments with \(label)") {
                    try await store.createProject(F.project(), environments: Array(envs), audit: F.draft(.projectCreated))
                }
            }
            try require(try await store.project("acme/checkout") == nil, "no project created")
            try require(try await store.environments(project: "acme/checkout").isEmpty, "no environments created")
            try require(try await F.auditLog(store).isEmpty, "nothing audited")
        },
        Case("updating a project replaces its settings; an unknown project is not found") { h in
            let store = try await h.makeStore()
            try await F.seed(store)
            var updated = F.project(singleStep: true)
            updated.createdAt = F.at(99)
            updated.createdBy = "mallory"
            try await store.updateProject(updated, audit: F.draft(.projectUpdated, subject: "singleStep"))
            try require(try await store.project("acme/checkout") == F.project(singleStep: true),
                        "singleStep stored; creation time and author are history, not settings, and are kept")
            try require(try await store.environments(project: "acme/checkout") == F.environments(), "environments untouched")
            updated.name = "ghost/project"
            let e = try await requireThrows(.notFound, "update of an unknown project") {
                try await store.updateProject(updated, audit: F.draft(.projectUpdated, project: "ghost/project"))
            }
            try require(e.message.contains("ghost/project"), "the error names the project: \(e.message)")
            try require(try await F.auditLog(store).map(\.action) == ["project.created", "project.updated"],
                        "only the successful update is audited")
        },
        Case("setting a policy replaces that environment's policy only") { h in
            let store = try await h.makeStore()
            try await F.seed(store)
            let policy = EnvironmentPolicy(requirePredecessor: false, minimumSoakSeconds: nil, requiredApprovals: 3,
                                           independentApprovals: true)
            try await store.setPolicy(project: "acme/checkout", environment: "staging", policy: policy,
                                      audit: F.draft(.policySet, subject: "staging"))
            var expected = F.environments()
            expected[1].policy = policy
            try require(try await store.environments(project: "acme/checkout") == expected, "only staging changed")
            let e = try await requireThrows(.notFound, "policy of an unknown environment") {
                try await store.setPolicy(project: "acme/checkout", environment: "qa", policy: policy,
                                          audit: F.draft(.policySet, subject: "qa"))
            }
            try require(e.message.contains("qa") && e.message.contains("acme/checkout"), "names both: \(e.message)")
            try await requireThrows(.notFound, "policy in an unknown project") {
                try await store.setPolicy(project: "ghost/project", environment: "staging", policy: policy,
                                          audit: F.draft(.policySet, subject: "staging"))
            }
            try require(try await F.auditLog(store).count == 2, "only the successful change is audited")
        },
        Case("dates are kept to the millisecond") { h in
            let store = try await h.makeStore()
            let precise = Date(timeIntervalSince1970: 1_795_000_000.123_456_7)
            let project = ProjectRecord(name: "acme/precise", singleStep: false, createdAt: precise, createdBy: "admin")
            try await store.createProject(project, environments: [], audit: F.draft(.projectCreated, at: precise))
            let stored = try await store.project("acme/precise")
            try require(stored?.createdAt == Timestamp.round(precise), "rounded down to the millisecond: \(String(describing: stored))")
            try require(Timestamp.milliseconds(stored!.createdAt) == 1_795_000_000_123, "exact milliseconds kept")
            try require(try await F.auditLog(store).first?.at == Timestamp.round(precise), "audit time rounded the same way")
        },
    ]
}
