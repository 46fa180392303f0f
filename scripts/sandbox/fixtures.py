#!/usr/bin/python3
# Local (system-session) changes to a sandbox DC's sam.ldb, run by scripts/sandbox-dc.sh.
# Must run with Debian's /usr/bin/python3: that is where Samba's python modules live.
#
#   fixtures.py schema-fix <smb.conf> <sam.ldb>
#       Clear systemOnly on msDS-AllowedToActOnBehalfOfOtherIdentity so that an LDAP write is
#       accepted like on Windows AD (SANDBOX-DC.md section 3). Idempotent. Run before samba starts.
#   fixtures.py fixtures <smb.conf> <sam.ldb> <secrets dir>
#       Create the OUs, accounts, group memberships and the service account's ACL for the domain
#       named in smb.conf (CONTOSO or FABRIKAM). Idempotent: what exists is left alone. Passwords are
#       generated once and kept in <secrets dir>/passwords.json (mode 600); the service account's
#       password also goes to <secrets dir>/svc-rbcd.pw (no trailing newline).
import json
import os
import secrets
import string
import sys

import ldb
from samba import dsdb
from samba.auth import system_session
from samba.param import LoadParm
from samba.samdb import SamDB
from samba.sd_utils import SDUtils

RBCD_ATTR_GUID = "3f78c3e5-f79a-46bd-a0b8-9d18116ddc79"  # schemaIdGuid of msDS-AllowedToActOnBehalfOfOtherIdentity
COMPUTER_CLASS_GUID = "bf967a86-0de6-11d0-a285-00aa003049e2"

UF_NORMAL_ACCOUNT = dsdb.UF_NORMAL_ACCOUNT  # 0x200
UF_WORKSTATION_TRUST_ACCOUNT = dsdb.UF_WORKSTATION_TRUST_ACCOUNT  # 0x1000
UF_DONT_EXPIRE_PASSWD = dsdb.UF_DONT_EXPIRE_PASSWD  # 0x10000
UF_NOT_DELEGATED = dsdb.UF_NOT_DELEGATED  # 0x100000
UF_TRUSTED_TO_AUTHENTICATE_FOR_DELEGATION = dsdb.UF_TRUSTED_TO_AUTHENTICATE_FOR_DELEGATION  # 0x1000000

# What each domain gets. Computers: (name, ou, extra SPNs, protocol transition). The host/ SPNs
# (short and FQDN) are added to every computer, as a domain join would.
FIXTURES = {
    "CONTOSO": {
        "ous": ["OU=Servers", "OU=Tier0", "OU=Service Accounts"],
        "svc": ("svc-rbcd", "OU=Service Accounts"),
        "aclOus": ["OU=Servers"],
        "computers": [
            ("SERVERB", "OU=Servers", [], True),
            ("SERVERC", "OU=Servers", ["cifs/{fqdn}"], False),
            ("SERVERD", "OU=Servers", ["cifs/{fqdn}", "http/{fqdn}"], False),
            ("JUMPBOX", "OU=Servers", ["TERMSRV/{fqdn}"], False),
            ("PAW01", "OU=Tier0", ["cifs/{fqdn}"], False),
        ],
        # (name, extra userAccountControl bits, groups)
        "users": [
            ("alice", 0, []),
            ("bob", 0, ["Protected Users"]),
            ("carol", UF_NOT_DELEGATED, []),
        ],
        # (name, members) in CN=Users
        "groups": [("RBCD-FrontEnds", ["SERVERD$"])],
    },
    "FABRIKAM": {
        "ous": ["OU=Servers", "OU=Service Accounts"],
        "svc": ("svc-rbcd", "OU=Service Accounts"),
        "aclOus": ["OU=Servers"],
        "computers": [
            ("FABWEB", "OU=Servers", ["http/{fqdn}", "cifs/{fqdn}"], False),
        ],
        "users": [("dave", 0, [])],
        "groups": [],
    },
}


def open_db(smbconf, samdb_path):
    lp = LoadParm()
    lp.load(smbconf)
    return lp, SamDB(url=samdb_path, session_info=system_session(), lp=lp)


def schema_fix(db):
    dn = ldb.Dn(db, "CN=ms-DS-Allowed-To-Act-On-Behalf-Of-Other-Identity," + str(db.get_schema_basedn()))
    res = db.search(base=dn, scope=ldb.SCOPE_BASE, attrs=["systemOnly"])
    if res and "systemOnly" in res[0] and str(res[0]["systemOnly"][0]).upper() == "FALSE":
        return False
    m = ldb.Message()
    m.dn = dn
    m["systemOnly"] = ldb.MessageElement("FALSE", ldb.FLAG_MOD_REPLACE, "systemOnly")
    db.modify(m, controls=["relax:0"])
    return True


def new_password():
    # Meets the default complexity rule (three character classes) whatever the random part holds.
    alphabet = string.ascii_letters + string.digits
    return "".join(secrets.choice(alphabet) for _ in range(20)) + "-Aa1"


def utf16_password(pw):
    return ('"%s"' % pw).encode("utf-16-le")


def exists(db, dn):
    try:
        return len(db.search(base=dn, scope=ldb.SCOPE_BASE, attrs=["dn"])) == 1
    except ldb.LdbError as e:
        if e.args[0] == ldb.ERR_NO_SUCH_OBJECT:
            return False
        raise



def main_fixtures(db, lp, secrets_dir):
    netbios = lp.get("workgroup").upper()
    spec = FIXTURES.get(netbios)
    if spec is None:
        raise SystemExit("no fixtures defined for domain %s" % netbios)
    base = str(db.get_default_basedn())
    dns_domain = db.domain_dns_name().lower()
    realm = dns_domain.upper()

    pw_file = os.path.join(secrets_dir, "passwords.json")
    passwords = {}
    if os.path.exists(pw_file):
        with open(pw_file) as f:
            passwords = json.load(f)

    def password_for(account):
        if account not in passwords:
            passwords[account] = new_password()
            save_passwords()
        return passwords[account]

    def save_passwords():
        tmp = pw_file + ".tmp"
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as f:
            json.dump(passwords, f, indent=1, sort_keys=True)
        os.replace(tmp, pw_file)

    for ou in spec["ous"]:
        dn = "%s,%s" % (ou, base)
        if not exists(db, dn):
            db.add({"dn": dn, "objectClass": "organizationalUnit"})

    def add_user(name, ou_rdn, extra_uac):
        dn = "CN=%s,%s,%s" % (name, ou_rdn, base)
        if not exists(db, dn):
            db.add({
                "dn": dn,
                "objectClass": "user",
                "sAMAccountName": name,
                "userPrincipalName": "%s@%s" % (name, dns_domain),
                "userAccountControl": str(UF_NORMAL_ACCOUNT | UF_DONT_EXPIRE_PASSWD | extra_uac),
                "unicodePwd": utf16_password(password_for(name)),
            })
        return dn

    # The service account first: the ACL below names its SID, and computers created after it
    # inherit the ACE.
    svc_name, svc_ou = spec["svc"]
    svc_dn = add_user(svc_name, svc_ou, 0)
    svc_pw_path = os.path.join(secrets_dir, "svc-rbcd.pw")
    fd = os.open(svc_pw_path + ".tmp", os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as f:
        f.write(password_for(svc_name))
    os.replace(svc_pw_path + ".tmp", svc_pw_path)
    svc_sid = str(ndr_sid(db, svc_dn))

    sd = SDUtils(db)
    for ou in spec["aclOus"]:
        ou_dn = "%s,%s" % (ou, base)
        # Write property (and read) of exactly this attribute, on computer objects below the OU.
        ace = "(OA;CI;RPWP;%s;%s;%s)" % (RBCD_ATTR_GUID, COMPUTER_CLASS_GUID, svc_sid)
        if ace.upper()[:-1] not in sd.get_sd_as_sddl(ou_dn).upper():
            sd.dacl_add_ace(ou_dn, ace)

    for name, ou_rdn, extra_spns, protocol_transition in spec["computers"]:
        dn = "CN=%s,%s,%s" % (name, ou_rdn, base)
        if exists(db, dn):
            continue
        fqdn = "%s.%s" % (name.lower(), dns_domain)
        spns = ["HOST/%s" % name, "HOST/%s" % fqdn] + [s.format(fqdn=fqdn) for s in extra_spns]
        uac = UF_WORKSTATION_TRUST_ACCOUNT
        if protocol_transition:
            uac |= UF_TRUSTED_TO_AUTHENTICATE_FOR_DELEGATION
        db.add({
            "dn": dn,
            "objectClass": "computer",
            "sAMAccountName": name + "$",
            "dNSHostName": fqdn,
            "servicePrincipalName": spns,
            "userAccountControl": str(uac),
            "unicodePwd": utf16_password(password_for(name + "$")),
        })

    for name, extra_uac, groups in spec["users"]:
        add_user(name, "CN=Users", extra_uac)

    for group, members in spec["groups"]:
        dn = "CN=%s,CN=Users,%s" % (group, base)
        if not exists(db, dn):
            db.add({"dn": dn, "objectClass": "group", "sAMAccountName": group})
        for member in members:
            add_member(db, base, dn, member)

    for name, _, groups in spec["users"]:
        for group in groups:
            add_member(db, base, "CN=%s,CN=Users,%s" % (group, base), name)

    issue11_fixtures(db, netbios, base, dns_domain, password_for)
    issue17_fixtures(db, base, dns_domain, netbios, password_for)
    if netbios == "CONTOSO":
        issue10_fixtures(db, base, dns_domain, password_for)

    save_passwords()
    print("fixtures ok: %s (%s), svc %s" % (netbios, realm, svc_sid))


# --- Issue 11: a computer registered the way Windows registers one ---------------------------
# A domain join gives a computer only HOST/<name> and HOST/<fqdn> (plus a dNSHostName); the KDC
# reaches it for cifs/, http/ and the other sPNMappings aliases. SERVERW is such a computer (no
# other SPN), for the diagnose examples in the README and for trying the SPN look-up by hand.
ISSUE11_COMPUTERS = {
    "CONTOSO": [("SERVERW", "OU=Servers")],
}


def issue11_fixtures(db, netbios, base, dns_domain, password_for):
    for name, ou_rdn in ISSUE11_COMPUTERS.get(netbios, []):
        dn = "CN=%s,%s,%s" % (name, ou_rdn, base)
        if exists(db, dn):
            continue
        fqdn = "%s.%s" % (name.lower(), dns_domain)
        db.add({
            "dn": dn,
            "objectClass": "computer",
            "sAMAccountName": name + "$",
            "dNSHostName": fqdn,
            "servicePrincipalName": ["HOST/%s" % name, "HOST/%s" % fqdn],
            "userAccountControl": str(UF_WORKSTATION_TRUST_ACCOUNT),
            "unicodePwd": utf16_password(password_for(name + "$")),
        })
# ---------------------------------------------------------------- issue 10: bypass and blast radius
# Principals that mean "anyone" (nested groups, writable groups, users without SPN, computers made
# through MachineAccountQuota), and targets others can write behind the broker: made the way an admin
# would (groups, memberships, ACEs, an owner change). Each refused case has a positive control.
MEMBER_ATTR_GUID = "bf9679c0-0de6-11d0-a285-00aa003049e2"  # member (and the self-membership validated write)
ACCOUNT_RESTRICTIONS_GUID = "4c164200-20c0-11d0-a768-00aa006e0529"  # property set holding the RBCD attribute
GROUP_TYPE_GLOBAL = -2147483646  # 0x80000002, security
GROUP_TYPE_DOMAIN_LOCAL = -2147483644  # 0x80000004, security


def issue10_fixtures(db, base, dns_domain, password_for):
    sd = SDUtils(db)

    def group(name, members, group_type=GROUP_TYPE_GLOBAL):
        dn = "CN=%s,CN=Users,%s" % (name, base)
        if not exists(db, dn):
            db.add({"dn": dn, "objectClass": "group", "sAMAccountName": name, "groupType": str(group_type)})
        for member in members:
            add_member(db, base, dn, member)
        return dn

    def member_dn(group_dn, dn):
        current = db.search(base=group_dn, scope=ldb.SCOPE_BASE, attrs=["member"])[0]
        if "member" in current and any(str(v).lower() == dn.lower() for v in current["member"]):
            return
        m = ldb.Message()
        m.dn = ldb.Dn(db, group_dn)
        m["member"] = ldb.MessageElement(dn, ldb.FLAG_MOD_ADD, "member")
        db.modify(m)

    def add_ace(dn, ace):
        if ace.upper()[:-1] not in sd.get_sd_as_sddl(dn).upper():
            sd.dacl_add_ace(dn, ace)

    def set_owner(dn, owner_sid):
        from samba.dcerpc import security
        sddl = sd.get_sd_as_sddl(dn)
        if sddl.startswith("O:%s" % owner_sid):
            return
        rest = sddl[sddl.index("G:"):] if "G:" in sddl else sddl[sddl.index("D:"):]
        sd.modify_sd_on_dn(dn, security.descriptor.from_sddl("O:%s%s" % (owner_sid, rest), security.dom_sid(str(db.get_domain_sid()))))

    def computer(name, extra=None):
        dn = "CN=%s,OU=Servers,%s" % (name, base)
        if not exists(db, dn):
            fqdn = "%s.%s" % (name.lower(), dns_domain)
            entry = {
                "dn": dn,
                "objectClass": "computer",
                "sAMAccountName": name + "$",
                "dNSHostName": fqdn,
                "servicePrincipalName": ["HOST/%s" % name, "HOST/%s" % fqdn],
                "userAccountControl": str(UF_WORKSTATION_TRUST_ACCOUNT),
                "unicodePwd": utf16_password(password_for(name + "$")),
            }
            entry.update(extra or {})
            db.add(entry, controls=["relax:0"])
        return dn

    alice_dn = "CN=alice,CN=Users,%s" % base
    alice_sid = str(ndr_sid(db, alice_dn))
    users = group("RBCD-Helpdesk", ["alice"])  # an ordinary helpdesk group, outside Tier 0
    helpdesk_sid = str(ndr_sid(db, users))

    # Groups that mean "anyone": nested Domain Computers (two levels), Domain Users, Authenticated Users.
    group("RBCD-AllBoxes", ["Domain Computers"])
    group("RBCD-AllBoxesNested", ["RBCD-AllBoxes"])
    group("RBCD-AllUsers", ["Domain Users"])
    auth = group("RBCD-AuthUsers", [], GROUP_TYPE_DOMAIN_LOCAL)
    member_dn(auth, "CN=S-1-5-11,CN=ForeignSecurityPrincipals,%s" % base)
    # Positive control: a plain group of jump hosts.
    group("RBCD-JumpHosts", ["JUMPBOX$"])
    # Membership writable outside Tier 0: WriteProperty on member for the helpdesk; an owner change.
    managed = group("RBCD-HelpdeskManaged", ["JUMPBOX$"])
    add_ace(managed, "(OA;;WP;%s;;%s)" % (MEMBER_ATTR_GUID, helpdesk_sid))
    owned = group("RBCD-OwnedByAlice", ["JUMPBOX$"])
    set_owner(owned, alice_sid)
    # Negative control: an inherit-only ACE on the group does not apply to the group itself.
    inherit_only = group("RBCD-InheritOnly", ["JUMPBOX$"])
    add_ace(inherit_only, "(OA;CIIO;WP;%s;;%s)" % (MEMBER_ATTR_GUID, helpdesk_sid))

    # A service account with an SPN (allowed, with a warning); alice (no SPN) is refused.
    svc_web = "CN=svc-web,CN=Users,%s" % base
    if not exists(db, svc_web):
        db.add({
            "dn": svc_web,
            "objectClass": "user",
            "sAMAccountName": "svc-web",
            "userPrincipalName": "svc-web@%s" % dns_domain,
            "servicePrincipalName": ["http/web.%s" % dns_domain],
            "userAccountControl": str(UF_NORMAL_ACCOUNT | UF_DONT_EXPIRE_PASSWD),
            "unicodePwd": utf16_password(password_for("svc-web")),
        })
    # A computer alice created through ms-DS-MachineAccountQuota (Samba 4.22 refuses that LDAP add
    # by an ordinary user, so it is made here with the attribute Windows would set).
    from samba.ndr import ndr_pack
    from samba.dcerpc import security
    computer("MAQPC01", {"mS-DS-CreatorSID": ndr_pack(security.dom_sid(alice_sid))})

    # Targets others can write behind the broker: WP on Account Restrictions for the helpdesk; an
    # owner change; and, as the negative control, an inherit-only ACE.
    hd_target = computer("HDWRITE01")
    add_ace(hd_target, "(OA;;WP;%s;;%s)" % (ACCOUNT_RESTRICTIONS_GUID, helpdesk_sid))
    owned_target = computer("OWNED01")
    set_owner(owned_target, alice_sid)
    io_target = computer("IOWRITE01")
    add_ace(io_target, "(OA;CIIO;WP;%s;;%s)" % (RBCD_ATTR_GUID, helpdesk_sid))

    # A target in Tier 0 through nesting: T0BOX01 in RBCD-T0Nested, itself in Domain Admins.
    computer("T0BOX01")
    group("RBCD-T0Nested", ["T0BOX01$"])
    add_member(db, base, "CN=Domain Admins,CN=Users,%s" % base, "RBCD-T0Nested")


# ---------------------------------------------------------------- issue 17: persons and owners
# Resource owners in AD: managedBy on a computer (a user on SRV17A; a group with a nested member on
# SRV17B), an OU owner group (Web Owners for OU=Web,OU=Servers, which holds WEB17), and a computer
# nobody owns (SRV17N). Roles from AD groups: vera is an approver through RBCD Approvers, nested.
# alice and bob (above) are the persons behind chat ids, OIDC subjects and personal keys; their
# mail differs from their UPN so that the email claim is looked up by mail.
ISSUE17 = {
    "CONTOSO": {
        "ous": ["OU=Web,OU=Servers"],
        "users": ["owen", "gina", "walt", "vera"],
        "mail": {"alice": "alice.liddell@contoso.test", "bob": "bob.builder@contoso.test"},
        # (name, members by sAMAccountName), created in order (a member group first)
        "groups": [
            ("SRV17B Admins", ["gina"]),
            ("SRV17B Owners", ["SRV17B Admins"]),
            ("Web Owners", ["walt"]),
            ("RBCD Approvers L2", ["vera"]),
            ("RBCD Approvers", ["RBCD Approvers L2"]),
        ],
        # (name, ou, managedBy relative to the base DN or None)
        "computers": [
            ("SRV17A", "OU=Servers", "CN=owen,CN=Users"),
            ("SRV17B", "OU=Servers", "CN=SRV17B Owners,CN=Users"),
            ("WEB17", "OU=Web,OU=Servers", None),
            ("SRV17N", "OU=Servers", None),
        ],
    },
}


def issue17_fixtures(db, base, dns_domain, netbios, password_for):
    spec = ISSUE17.get(netbios)
    if spec is None:
        return
    for ou in spec["ous"]:
        dn = "%s,%s" % (ou, base)
        if not exists(db, dn):
            db.add({"dn": dn, "objectClass": "organizationalUnit"})
    for name in spec["users"]:
        dn = "CN=%s,CN=Users,%s" % (name, base)
        if not exists(db, dn):
            db.add({
                "dn": dn,
                "objectClass": "user",
                "sAMAccountName": name,
                "userPrincipalName": "%s@%s" % (name, dns_domain),
                "userAccountControl": str(UF_NORMAL_ACCOUNT | UF_DONT_EXPIRE_PASSWD),
                "unicodePwd": utf16_password(password_for(name)),
            })
    for name, mail in spec["mail"].items():
        m = ldb.Message()
        m.dn = ldb.Dn(db, "CN=%s,CN=Users,%s" % (name, base))
        m["mail"] = ldb.MessageElement(mail, ldb.FLAG_MOD_REPLACE, "mail")
        db.modify(m)
    for group, members in spec["groups"]:
        dn = "CN=%s,CN=Users,%s" % (group, base)
        if not exists(db, dn):
            db.add({"dn": dn, "objectClass": "group", "sAMAccountName": group})
        for member in members:
            add_member(db, base, dn, member)
    for name, ou, managed_by in spec["computers"]:
        dn = "CN=%s,%s,%s" % (name, ou, base)
        if exists(db, dn):
            continue
        fqdn = "%s.%s" % (name.lower(), dns_domain)
        entry = {
            "dn": dn,
            "objectClass": "computer",
            "sAMAccountName": name + "$",
            "dNSHostName": fqdn,
            "servicePrincipalName": ["HOST/%s" % name, "HOST/%s" % fqdn, "cifs/%s" % fqdn],
            "userAccountControl": str(UF_WORKSTATION_TRUST_ACCOUNT),
            "unicodePwd": utf16_password(password_for(name + "$")),
        }
        if managed_by:
            entry["managedBy"] = "%s,%s" % (managed_by, base)
        db.add(entry)


def ndr_sid(db, dn):
    from samba.ndr import ndr_unpack
    from samba.dcerpc import security
    res = db.search(base=dn, scope=ldb.SCOPE_BASE, attrs=["objectSid"])
    return ndr_unpack(security.dom_sid, res[0]["objectSid"][0])


def add_member(db, base, group_dn, member_sam):
    member = db.search(base=base, scope=ldb.SCOPE_SUBTREE,
                       expression="(sAMAccountName=%s)" % ldb.binary_encode(member_sam), attrs=["dn"])
    if len(member) != 1:
        raise SystemExit("member %s not found" % member_sam)
    member_dn = str(member[0].dn)
    current = db.search(base=group_dn, scope=ldb.SCOPE_BASE, attrs=["member"])[0]
    if "member" in current and any(str(v).lower() == member_dn.lower() for v in current["member"]):
        return
    m = ldb.Message()
    m.dn = ldb.Dn(db, group_dn)
    m["member"] = ldb.MessageElement(member_dn, ldb.FLAG_MOD_ADD, "member")
    db.modify(m)


def main(argv):
    if len(argv) < 4 or argv[1] not in ("schema-fix", "fixtures"):
        raise SystemExit(__doc__ or "usage: fixtures.py schema-fix|fixtures <smb.conf> <sam.ldb> [secrets dir]")
    lp, db = open_db(argv[2], argv[3])
    if argv[1] == "schema-fix":
        changed = schema_fix(db)
        print("schema fix: %s" % ("applied" if changed else "already applied"))
    else:
        if len(argv) < 5:
            raise SystemExit("fixtures needs a secrets dir")
        main_fixtures(db, lp, argv[4])


if __name__ == "__main__":
    main(sys.argv)
