(window.sitegenFinder = window.sitegenFinder || {})["r"] =
[["Dilma Rousseff","per","entities/per.html#e-dilma-rousseff",1]];
