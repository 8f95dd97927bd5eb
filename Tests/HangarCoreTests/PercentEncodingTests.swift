import HangarCore
import Testing

@Suite struct PercentEncodingTests {
    @Test(arguments: [
        ("1.0.0-rc.1", "1.0.0-rc.1"), ("A-Z_a~z.09", "A-Z_a~z.09"), ("", ""), ("a b", "a%20b"), ("1.0.0+build.7", "1.0.0%2Bbuild.7"),
        ("sha256:ab", "sha256%3Aab"), ("a/b?c=d&e", "a%2Fb%3Fc%3Dd%26e"), ("é", "%C3%A9"), ("%", "%25"),
    ])
    func everyByteButTheUnreservedIsEncoded(_ text: String, _ expected: String) {
        #expect(PercentEncoding.unreserved(text) == expected)
    }
}
