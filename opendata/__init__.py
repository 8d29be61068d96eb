"""Open data: the marketplace's contracting processes published in the Open Contracting Data Standard (OCDS 1.1).

A leaf app like cms: it reads agencies, projects and ratings; nothing imports it except the composition
modules (settings, urls, api)."""
