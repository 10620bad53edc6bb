(window.sitegenFinder = window.sitegenFinder || {})["s"] =
[["Shining Path","org","entity/org/shining-path.html",2],["Senate","org","entities/org.html#e-senate",1]];
