(window.sitegenFinder = window.sitegenFinder || {})["g"] =
[["Alan Garcia","per","entity/per/alan-garcia.html",2],["German","misc","entity/misc/german.html",2],["Geneva","loc","entities/loc.html#e-geneva",1],["Germany","loc","entities/loc.html#e-germany",1]];
