(window.sitegenFinder = window.sitegenFinder || {})["e"] =
[["EU","org","entities/org.html#e-eu",1],["European Commission","org","entities/org.html#e-european-commission",1],["European Union","org","entities/org.html#e-european-union",1]];
