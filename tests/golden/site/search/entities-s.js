(window.sitegenFinder = window.sitegenFinder || {})["s"] =
[["Shining Path","org","entity/org/shining-path.html",3],["U.S.","loc","entity/loc/u-s--55bec27c7a3e.html",2]];
