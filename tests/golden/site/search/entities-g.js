(window.sitegenFinder = window.sitegenFinder || {})["g"] =
[["Alan Garcia","per","entity/per/alan-garcia.html",3]];
