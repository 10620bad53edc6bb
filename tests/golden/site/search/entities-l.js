(window.sitegenFinder = window.sitegenFinder || {})["l"] =
[["Lima","loc","entity/loc/lima.html",3]];
