import HangarCore
