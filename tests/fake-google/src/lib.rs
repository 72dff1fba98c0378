//! A local stand-in for Google's OAuth and Calendar v3 endpoints.
