(window.sitegenFinder = window.sitegenFinder || {})["r"] =
[["Region","loc","entity/loc/region.html",1]];
