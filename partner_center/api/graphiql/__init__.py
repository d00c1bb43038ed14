"""GraphiQL in development, served whole by the application: no CDN, a strict CSP."""
