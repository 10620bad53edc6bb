(window.sitegenFinder = window.sitegenFinder || {})["j"] =
[["Jose\u0301","per","entity/per/jose--d994e1d00188.html",2]];
