(window.sitegenFinder = window.sitegenFinder || {})["e"] =
[["Ecuador","loc","entities/loc.html#e-ecuador",1]];
