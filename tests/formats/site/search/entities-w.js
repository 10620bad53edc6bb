(window.sitegenFinder = window.sitegenFinder || {})["w"] =
[["Werner Zwingmann","per","entities/per.html#e-werner-zwingmann",1]];
