(window.sitegenFinder = window.sitegenFinder || {})["v"] =
[["Venezuelan","misc","entities/misc.html#e-venezuelan",1]];
