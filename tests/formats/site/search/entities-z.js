(window.sitegenFinder = window.sitegenFinder || {})["z"] =
[["Werner Zwingmann","per","entities/per.html#e-werner-zwingmann",1]];
