(window.sitegenFinder = window.sitegenFinder || {})["e"] =
[["Ecuador","loc","entity/loc/ecuador.html",1]];
