"""The proxy's HTML pages (Jinja templates, autoescaped): login form, role list, messages."""

from __future__ import annotations

LAYOUT = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{{ title }} · AWS sign-in</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>
body{font-family:system-ui,sans-serif;background:#f2f3f3;margin:0;color:#16191f}
main{max-width:46rem;margin:3rem auto;background:#fff;padding:2rem 2.5rem;border-radius:8px;
box-shadow:0 1px 4px rgba(0,0,0,.15)}
h1{font-size:1.4rem;margin-top:0}label{display:block;margin:.8rem 0 .2rem}
input[type=text],input[type=password]{width:100%;padding:.5rem;box-sizing:border-box}
button{background:#ec7211;color:#fff;border:0;padding:.6rem 1rem;border-radius:4px;cursor:pointer;font-size:1rem}
table{border-collapse:collapse;width:100%}td,th{text-align:left;padding:.5rem .3rem;border-bottom:1px solid #ddd}
.sid{font-family:monospace;font-size:.8rem;color:#545b64}.error{color:#d13212}.who{color:#545b64}
</style></head><body><main>{{ body }}</main></body></html>"""

LOGIN = """<h1>Sign in to the AWS console</h1>
<p class="who">with your Active Directory account</p>
{% if error %}<p class="error" id="error">{{ error }}</p>{% endif %}
<form method="post" action="{{ url_for('login') }}">
<input type="hidden" name="csrf_token" value="{{ csrf }}">
<label for="username">User name</label><input type="text" id="username" name="username" autocomplete="username"
 autofocus required value="{{ username or '' }}">
<label for="password">Password</label><input type="password" id="password" name="password"
 autocomplete="current-password" required>
<p><button type="submit" id="login">Sign in</button></p>
</form>"""

ROLES = """<h1>Choose a role</h1>
<p class="who">Signed in as <strong id="user">{{ user }}</strong></p>
{% if roles %}
<form method="post" action="{{ url_for('console') }}">
<input type="hidden" name="csrf_token" value="{{ csrf }}">
<table><tr><th>Role</th><th>AD group (SID)</th><th></th></tr>
{% for r in roles %}<tr class="role"><td>{{ r.role_name }}</td><td>{{ r.group }}<br><span class="sid">{{ r.sid }}</span></td>
<td><button type="submit" name="role" value="{{ r.role_name }}" id="role-{{ r.role_name }}">Open console</button></td></tr>
{% endfor %}</table></form>
{% else %}<p class="error" id="error">No roles available: none of your AD groups has an AWS role.</p>{% endif %}
<form method="post" action="{{ url_for('logout') }}"><input type="hidden" name="csrf_token" value="{{ csrf }}">
<p><button type="submit" id="logout" style="background:#545b64">Sign out</button></p></form>"""

MESSAGE = """<h1>{{ title }}</h1><p class="error" id="error">{{ message }}</p>
<p><a href="{{ url_for('index') }}">Back to the sign-in page</a></p>"""
