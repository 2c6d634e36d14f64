"""Seeds a freshly bootstrapped private Keystone through its REST API (Python's standard library
only) and prints what it made as one JSON object: the identity URL, project ids and users.

Run by keystone.sh with KEYSTONE_URL (ending in /v3), KEYSTONE_ADMIN_PASSWORD and
KEYSTONE_USER_PASSWORD in the environment.
"""
import json
import os
import urllib.request

URL = os.environ['KEYSTONE_URL'].rstrip('/')
ADMIN_PASSWORD = os.environ['KEYSTONE_ADMIN_PASSWORD']
USER_PASSWORD = os.environ['KEYSTONE_USER_PASSWORD']


def call(method, path, token=None, body=None):
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(URL + path, data=data, method=method)
    request.add_header('Content-Type', 'application/json')
    if token:
        request.add_header('X-Auth-Token', token)
    with urllib.request.urlopen(request, timeout=30) as response:
        text = response.read()
        return response.headers, (json.loads(text) if text else None)


def admin_token():
    headers, _ = call('POST', '/auth/tokens', body={'auth': {
        'identity': {'methods': ['password'], 'password': {'user': {
            'name': 'admin', 'domain': {'id': 'default'}, 'password': ADMIN_PASSWORD}}},
        'scope': {'project': {'name': 'admin', 'domain': {'id': 'default'}}}}})
    return headers['X-Subject-Token']


token = admin_token()
roles = {r['name']: r['id'] for r in call('GET', '/roles', token)[1]['roles']}
# Keystone lets holders of `service` validate other users' tokens (rule:service_role), which is
# all Imago's service user needs; it is deliberately not an admin.
if 'service' not in roles:
    roles['service'] = call('POST', '/roles', token, {'role': {'name': 'service'}})[1]['role']['id']
projects = {p['name']: p['id'] for p in call('GET', '/projects', token)[1]['projects']}
for name in ('service', 'one', 'two'):
    projects[name] = call('POST', '/projects', token, {'project': {
        'name': name, 'domain_id': 'default', 'description': f'test project {name}'}})[1]['project']['id']

users = {'admin': {'id': call('GET', '/users?name=admin', token)[1]['users'][0]['id'],
                   'password': ADMIN_PASSWORD, 'project': 'admin', 'roles': ['admin']}}


def user(name, project, role_names):
    created = call('POST', '/users', token, {'user': {
        'name': name, 'domain_id': 'default', 'password': USER_PASSWORD,
        'default_project_id': projects[project]}})[1]['user']
    for role in role_names:
        call('PUT', f"/projects/{projects[project]}/users/{created['id']}/roles/{roles[role]}", token)
    users[name] = {'id': created['id'], 'password': USER_PASSWORD, 'project': project, 'roles': role_names}


user('imago', 'service', ['service'])
for project in ('one', 'two'):
    user(f'{project}-member', project, ['member'])
    user(f'{project}-reader', project, ['reader'])

print(json.dumps({'url': URL, 'projects': projects, 'users': users}))
