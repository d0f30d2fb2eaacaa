"""Drive python-glanceclient for the interop suite: one JSON request per stdin line, one JSON answer per
stdout line. Run with Debian's /usr/bin/python3, which has python3-glanceclient (4.1.0 on bookworm).

Request:  {"endpoint": URL, "auth": {"token": T} | {"headers": {...}} | {"keystone": {...}},
           "call": "images.create", "args": [...], "kwargs": {...}}
          `keystone` holds a keystoneauth1 v3 Password plugin's arguments (auth_url, username, password,
          project_name, user_domain_name, project_domain_name) and the catalog filter (region_name,
          interface): the client then finds the image endpoint in the catalog, as the openstack CLI
          does, and `endpoint` is not used.
Answer:   {"ok": <result as JSON>, "request_ids": [...]}  or  {"error": {"type", "status", "message"}}

Calls are the client's own methods (`images.create`, `image_tags.update`, `tasks.list`, ...), with
these adaptations: a `data_file` kwarg of `images.stage` / `images.upload` is opened as the data;
`images.data` answers the size and digests of what the client downloaded (it checks the hash itself);
`images.list` / `tasks.list` answer the items and every URL the client requested (paging);
`http` sends a raw request with the same identity through `requests` (Range downloads, bad bodies).
"""
import hashlib
import json
import sys

import requests
from glanceclient import Client, exc
from keystoneauth1 import session
from keystoneauth1.identity import v3

clients = {}


def client_for(endpoint, auth):
    key = json.dumps([endpoint, auth], sort_keys=True)
    if key not in clients:
        if 'token' in auth:
            clients[key] = Client('2', endpoint=endpoint, token=auth['token'])
        elif 'keystone' in auth:
            ks = dict(auth['keystone'])
            where = {k: ks.pop(k) for k in ('region_name', 'interface') if k in ks}
            clients[key] = Client('2', session=session.Session(auth=v3.Password(**ks)), **where)
        else:
            # Trusted identity headers (the reference Glance): set on the session, because the
            # client percent-encodes its identity_headers and X-Roles 'admin,member' would arrive
            # as the single role 'admin%2Cmember'.
            headers = dict(auth['headers'])
            c = Client('2', endpoint=endpoint, token=headers.pop('X-Auth-Token', 'x'))
            c.http_client.session.headers.update(headers)
            clients[key] = c
    return clients[key]


def plain(value):
    """The result as JSON: warlock models and the client's request-id proxies unwrapped."""
    value = getattr(value, '__wrapped__', value)
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    return str(value)


def listing(c, method, kwargs):
    seen = []
    get = c.http_client.get

    def recording_get(url, **kw):
        seen.append(url)
        return get(url, **kw)

    c.http_client.get = recording_get
    try:
        items = [plain(dict(i)) for i in method(**kwargs)]
    finally:
        c.http_client.get = get
    return {'items': items, 'requests': seen}


def download(c, image_id, kwargs):
    body = c.images.data(image_id, **kwargs)
    if body is None or getattr(body, '__wrapped__', body) is None:
        return None
    md5, sha512, size = hashlib.md5(), hashlib.sha512(), 0
    for chunk in body:
        md5.update(chunk)
        sha512.update(chunk)
        size += len(chunk)
    return {'size': size, 'md5': md5.hexdigest(), 'sha512': sha512.hexdigest()}


def raw(endpoint, auth, kwargs):
    if 'keystone' in auth:
        c = client_for(endpoint, auth)
        endpoint = c.http_client.get_endpoint()
        headers = {'X-Auth-Token': c.http_client.get_token()}
    else:
        headers = {'X-Auth-Token': auth['token']} if 'token' in auth else dict(auth['headers'])
    headers.update(kwargs.get('headers', {}))
    body = kwargs.get('body')
    r = requests.request(kwargs['method'], endpoint + kwargs['path'], headers=headers,
                         data=body.encode() if isinstance(body, str) else body, timeout=30)
    is_json = r.headers.get('content-type', '').startswith('application/json')
    return {
        'status': r.status_code,
        'headers': {k.lower(): v for k, v in r.headers.items()},
        'json': r.json() if is_json and r.content else None,
        'text': None if r.headers.get('content-type') == 'application/octet-stream' else r.text,
        'body_hex': r.content.hex() if r.headers.get('content-type') == 'application/octet-stream' else None,
    }


def handle(req):
    endpoint, auth = req['endpoint'], req.get('auth', {})
    call, args, kwargs = req['call'], req.get('args', []), dict(req.get('kwargs', {}))
    if call == 'http':
        return raw(endpoint, auth, kwargs), []
    c = client_for(endpoint, auth)
    if call == 'images.data':
        return download(c, args[0], kwargs), []
    if call in ('images.list', 'tasks.list'):
        return listing(c, c.images.list if call == 'images.list' else c.tasks.list, kwargs), []
    manager, name = call.split('.')
    method = getattr(getattr(c, manager), name)
    data_file = kwargs.pop('data_file', None)
    if data_file is not None:
        with open(data_file, 'rb') as f:
            result = method(*args, f, **kwargs)
    else:
        result = method(*args, **kwargs)
    return plain(result), list(getattr(result, 'request_ids', []))


def main():
    for line in sys.stdin:
        if not line.strip():
            continue
        try:
            result, request_ids = handle(json.loads(line))
            answer = {'ok': result, 'request_ids': request_ids}
        except exc.HTTPException as e:
            answer = {'error': {'type': type(e).__name__, 'status': getattr(e, 'code', None), 'message': str(e.details)}}
        except Exception as e:  # the client's own refusals (schema validation, checksum mismatch)
            answer = {'error': {'type': type(e).__name__, 'status': None, 'message': str(e)}}
        sys.stdout.write(json.dumps(answer) + '\n')
        sys.stdout.flush()


if __name__ == '__main__':
    main()
