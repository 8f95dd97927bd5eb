import HangarCore
print(SHA256Hasher.digest(Array("abc".utf8)))
