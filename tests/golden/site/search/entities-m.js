(window.sitegenFinder = window.sitegenFinder || {})["m"] =
[["P. Michael McKinley","per","entities/per.html#e-p-michael-mckinley--624a50a92bad",1]];
