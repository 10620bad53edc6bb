(window.sitegenFinder = window.sitegenFinder || {})["p"] =
[["Shining Path","org","entity/org/shining-path.html",2],["Peru","loc","entities/loc.html#e-peru",1],["Peruvian","misc","entities/misc.html#e-peruvian",1],["Peter Blackburn","per","entities/per.html#e-peter-blackburn",1],["Petrobras","org","entities/org.html#e-petrobras",1]];
