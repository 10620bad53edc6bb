(window.sitegenFinder = window.sitegenFinder || {})["n"] =
[["United Nations","org","entities/org.html#e-united-nations",1]];
