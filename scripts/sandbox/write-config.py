#!/usr/bin/python3
# Writes what other programs read about the sandbox DCs (called by scripts/sandbox-dc.sh up):
#   <state>/sandbox.json  for tests (test/support/sandbox.ts); holds admin passwords: mode 600
#   <state>/rbcd.yaml     the RBCD_CONFIG `domains:` block for both domains (API.md shape)
#   <state>/env           export lines for the service against CONTOSO (no secrets, only file paths)
# usage: write-config.py <state dir> <dc>:<REALM>:<NETBIOS>:<ip> ...
import json
import os
import sys


def write(path, text, mode):
    tmp = path + ".tmp"
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, mode)
    with os.fdopen(fd, "w") as f:
        f.write(text)
    os.chmod(tmp, mode)
    os.replace(tmp, path)


def yaml_str(s):
    return json.dumps(s)  # a JSON string is a valid YAML double-quoted scalar


def main(state, specs):
    domains = []
    for spec in specs:
        dc, realm, netbios, ip = spec.split(":")
        d = os.path.join(state, dc)
        name = realm.lower()
        base_dn = ",".join("DC=" + p for p in name.split("."))
        with open(os.path.join(d, "secrets", "admin.pw")) as f:
            admin_pw = f.read().strip()
        domains.append({
            "name": name,
            "netbios": netbios,
            "realm": realm,
            "dc": dc,
            "dcHost": "%s.%s" % (dc, name),
            "ip": ip,
            "url": "ldaps://%s:636" % ip,
            "ldapUrl": "ldap://%s:389" % ip,
            "baseDn": base_dn,
            "caFile": os.path.join(state, "ca", "ca.pem"),
            "adminDn": "CN=Administrator,CN=Users," + base_dn,
            "adminPassword": admin_pw,
            "svcDn": "CN=svc-rbcd,OU=Service Accounts," + base_dn,
            "svcPasswordFile": os.path.join(d, "secrets", "svc-rbcd.pw"),
            "passwordsFile": os.path.join(d, "secrets", "passwords.json"),
            "smbConf": os.path.join(d, "samba", "etc", "smb.conf"),
            "samDb": os.path.join(d, "samba", "private", "sam.ldb"),
            "krb5Conf": os.path.join(d, "krb5.conf"),
            "stateDir": d,
        })

    info = {"version": 1, "stateDir": state, "caFile": os.path.join(state, "ca", "ca.pem"), "domains": domains}
    write(os.path.join(state, "sandbox.json"), json.dumps(info, indent=2) + "\n", 0o600)

    lines = ["# RBCD_CONFIG for the sandbox DCs (scripts/sandbox-dc.sh); secrets are file paths", "domains:"]
    for d in domains:
        lines += [
            "  - name: " + d["name"],
            "    netbios: " + d["netbios"],
            "    urls: [%s]" % d["url"],
            "    baseDn: " + yaml_str(d["baseDn"]),
            "    bindDn: " + yaml_str(d["svcDn"]),
            "    bindPasswordFile: " + yaml_str(d["svcPasswordFile"]),
            "    caFile: " + yaml_str(d["caFile"]),
        ]
    write(os.path.join(state, "rbcd.yaml"), "\n".join(lines) + "\n", 0o644)

    c = domains[0]
    env = [
        ("LDAP_URL", c["url"]),
        ("LDAP_CA_FILE", c["caFile"]),
        ("LDAP_BIND_DN", c["svcDn"]),
        ("LDAP_BIND_PASSWORD_FILE", c["svcPasswordFile"]),
        ("LDAP_BASE_DN", c["baseDn"]),
        ("LDAP_DOMAIN", c["name"]),
        ("LDAP_NETBIOS", c["netbios"]),
    ]
    text = "".join("export %s='%s'\n" % (k, v.replace("'", "'\\''")) for k, v in env)
    write(os.path.join(state, "env"), text, 0o644)


if __name__ == "__main__":
    if len(sys.argv) < 3:
        raise SystemExit("usage: write-config.py <state dir> <dc>:<REALM>:<NETBIOS>:<ip> ...")
    main(sys.argv[1], sys.argv[2:])
