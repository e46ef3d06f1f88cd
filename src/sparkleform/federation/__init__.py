"""The Active Directory federation proxy: AD groups ∩ IAM roles -> AWS console sign-in.

A runtime program, imported only by the CLI (`sparkleform federation ...`) and by WSGI
servers (`sparkleform.federation.wsgi:app`). Modules: config (the TOML file), sid (objectSid),
directory (LDAP), broker (IAM/STS and the federation endpoint), guard (rate limits, audit),
pages and app (the Flask web app), wsgi (its app object), client (the CLI's side of the proxy).
"""
