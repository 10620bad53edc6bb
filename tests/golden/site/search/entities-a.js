(window.sitegenFinder = window.sitegenFinder || {})["a"] =
[["Alan Garcia","per","entity/per/alan-garcia.html",3]];
