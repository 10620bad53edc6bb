(window.sitegenFinder = window.sitegenFinder || {})["a"] =
[["Alan Garcia","per","entity/per/alan-garcia.html",2],["Andes","misc","entities/misc.html#e-andes",1]];
