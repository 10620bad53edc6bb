(window.sitegenFinder = window.sitegenFinder || {})["d"] =
[["Dilma Rousseff","per","entities/per.html#e-dilma-rousseff",1]];
