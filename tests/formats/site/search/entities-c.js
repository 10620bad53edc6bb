(window.sitegenFinder = window.sitegenFinder || {})["c"] =
[["Caracas","loc","entities/loc.html#e-caracas",1],["Colombian","misc","entities/misc.html#e-colombian",1],["Cusco","loc","entities/loc.html#e-cusco",1],["European Commission","org","entities/org.html#e-european-commission",1],["Hugo Chavez","per","entities/per.html#e-hugo-chavez",1]];
