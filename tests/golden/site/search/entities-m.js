(window.sitegenFinder = window.sitegenFinder || {})["m"] =
[["P. Michael McKinley","per","entity/per/p-michael-mckinley--624a50a92bad.html",1]];
