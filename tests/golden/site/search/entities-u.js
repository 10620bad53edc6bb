(window.sitegenFinder = window.sitegenFinder || {})["u"] =
[["U.S.","loc","entity/loc/u-s--55bec27c7a3e.html",2],["US","loc","entities/loc.html#e-us",1]];
