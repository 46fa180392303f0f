// LDAP_URL alone is enough: the domain's DNS name and base DN come from the DC's rootDSE at boot.
import { ConfigError } from '../../src/config/config.error';
import { discoverDomainNames } from '../../src/config/discover-domains';
import { loadConfig } from '../../src/config/load-config';
import { sandboxDomain } from '../support/sandbox';
import { createTestApp } from '../support/test-app';

describe('domain discovery from rootDSE', () => {
  const d = sandboxDomain();
  const env = {
    LDAP_URL: d.url,
    LDAP_CA_FILE: d.caFile,
    LDAP_BIND_DN: d.svcDn,
    LDAP_BIND_PASSWORD_FILE: d.svcPasswordFile,
  };

  it('reads the name and base DN from the first DC that answers', async () => {
    const config = await discoverDomainNames(
      loadConfig({ ...env, LDAP_URL: `ldaps://127.0.0.1:1,${d.url}`, LDAP_CONNECT_TIMEOUT_MS: '500' }),
    );
    expect(config.domains).toEqual([expect.objectContaining({ name: 'contoso.test', baseDn: 'DC=contoso,DC=test' })]);
  });

  it("over ldap:// with StartTLS (the service's own connection): verified against the CA", async () => {
    const config = await discoverDomainNames(loadConfig({ ...env, LDAP_URL: d.ldapUrl }));
    expect(config.domains).toEqual([
      expect.objectContaining({ name: 'contoso.test', baseDn: 'DC=contoso,DC=test', urls: [d.ldapUrl] }),
    ]);
    // Without the CA the StartTLS upgrade fails verification: no silent cleartext fallback.
    await expect(
      discoverDomainNames(
        loadConfig({ LDAP_URL: d.ldapUrl, LDAP_BIND_DN: d.svcDn, LDAP_BIND_PASSWORD_FILE: d.svcPasswordFile }),
      ),
    ).rejects.toThrow(/LDAP_DOMAIN.*certificate/i);
  });

  it('refused credentials: a ConfigError that names LDAP_BIND_DN and no password', async () => {
    const error = await discoverDomainNames(
      loadConfig({ ...env, LDAP_BIND_PASSWORD_FILE: undefined, LDAP_BIND_PASSWORD: 'wrong-Password-123' } as never),
    ).catch((e: Error) => e);
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).message).toMatch(/LDAP_BIND_DN.*credentials were refused/);
    expect((error as ConfigError).message).not.toContain('wrong-Password-123');
  });

  it('the service then answers for that domain', async () => {
    const t = await createTestApp({ env });
    try {
      const res = await t.http().get('/api/v1/delegations/SERVERC').set(t.admin).expect(200);
      expect(res.body.target).toMatchObject({ samAccountName: 'SERVERC$', domain: 'contoso.test' });
    } finally {
      await t.close();
    }
  });

  it('no DC answers: a ConfigError that names LDAP_DOMAIN', async () => {
    const config = loadConfig({ LDAP_URL: 'ldaps://127.0.0.1:1', LDAP_CONNECT_TIMEOUT_MS: '500' });
    await expect(discoverDomainNames(config)).rejects.toThrow(ConfigError);
    await expect(discoverDomainNames(config)).rejects.toThrow(/LDAP_DOMAIN/);
  });
});
