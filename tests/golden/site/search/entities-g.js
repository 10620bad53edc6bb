(window.sitegenFinder = window.sitegenFinder || {})["g"] =
[["Alan Garcia","per","entity/per/alan-garcia.html",2],["Garcia","per","entity/per/garcia.html",1]];
