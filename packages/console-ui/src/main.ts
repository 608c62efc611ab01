// Entry point of the console's front end: defines <keel-app>, which index.html holds.

import './components/keel-app';
