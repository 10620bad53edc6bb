(window.sitegenFinder = window.sitegenFinder || {})["m"] =
[["Michelle Bachelet","per","entities/per.html#e-michelle-bachelet",1]];
