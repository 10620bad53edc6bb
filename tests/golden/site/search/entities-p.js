(window.sitegenFinder = window.sitegenFinder || {})["p"] =
[["Peru","loc","entity/loc/peru.html",4],["Shining Path","org","entity/org/shining-path.html",3],["P. Michael McKinley","per","entity/per/p-michael-mckinley--624a50a92bad.html",1],["Peruvian","misc","entity/misc/peruvian.html",1]];
