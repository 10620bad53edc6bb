(window.sitegenFinder = window.sitegenFinder || {})["p"] =
[["Peru","loc","entity/loc/peru.html",4],["Shining Path","org","entity/org/shining-path.html",3],["P. Michael McKinley","per","entities/per.html#e-p-michael-mckinley--624a50a92bad",1],["Peruvian","misc","entities/misc.html#e-peruvian",1]];
