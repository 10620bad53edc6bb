(window.sitegenFinder = window.sitegenFinder || {})["r"] =
[["Region","loc","entities/loc.html#e-region",1]];
