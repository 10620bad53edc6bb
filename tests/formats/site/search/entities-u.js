(window.sitegenFinder = window.sitegenFinder || {})["u"] =
[["European Union","org","entities/org.html#e-european-union",1],["United Nations","org","entities/org.html#e-united-nations",1]];
