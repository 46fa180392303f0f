import type {
  AccountState,
  CasResult,
  DcFunctionalLevel,
  DcStatus,
  DirectoryObject,
  DomainInfo,
  NestedMembers,
  RbcdMutation,
  ResolveOptions,
  SearchOptions,
  SpnMappings,
} from './directory.types';

/**
 * Everything the service asks of Active Directory. Implemented by LdapDirectory (ldapts) against
 * real DCs; unit tests of services use a strict in-memory fake.
 * Failures are DomainErrors: DIRECTORY_UNAVAILABLE, DIRECTORY_ACCESS_DENIED, *_NOT_FOUND,
 * AMBIGUOUS_IDENTIFIER, DOMAIN_NOT_CONFIGURED.
 */
export abstract class DirectoryPort {
  /** The configured domains (rootDSE facts filled in once a DC answered). */
  abstract domains(): Promise<DomainInfo[]>;

  /** Resolves any accepted identifier form to exactly one object. `kind` names the error code. */
  abstract resolve(identifier: string, options?: ResolveOptions): Promise<DirectoryObject>;

  /** Looks up SIDs in the domain each belongs to (batched, cached briefly). Unknown SIDs map to null. */
  abstract resolveSids(sids: string[]): Promise<Map<string, DirectoryObject | null>>;

  /**
   * The SIDs of every group the object belongs to, as a KDC token has them: transitively
   * (tokenGroups, primary group included) plus the BUILTIN aliases of its domain that it reaches.
   */
  abstract groupSids(object: DirectoryObject): Promise<string[]>;

  /** Reads the stored RBCD value of an object (null when absent). */
  abstract readRbcd(object: Pick<DirectoryObject, 'dn' | 'domain'>): Promise<Buffer | null>;

  /**
   * Read-modify-write as compare-and-swap: re-reads and retries (bounded) when someone else changed
   * it. `current`, when given, is the value the caller just read: the first attempt starts from it
   * instead of reading again (a stale one only costs a retry).
   */
  abstract updateRbcd(
    object: Pick<DirectoryObject, 'dn' | 'domain'>,
    mutate: RbcdMutation,
    options?: { current?: Buffer | null },
  ): Promise<CasResult>;

  /**
   * The object's nTSecurityDescriptor: owner, group and DACL (read with the SD_FLAGS control, so no
   * SACL and no special privilege). Null when the bind account may not read it.
   */
  abstract readSecurityDescriptor(object: Pick<DirectoryObject, 'dn' | 'domain'>): Promise<Buffer | null>;

  /**
   * The direct members of a group that can widen it: groups and foreign security principals of its
   * own domain (users and computers are left out), and the members it names by DN in another
   * domain of the forest (followed into that domain when it is configured, else out of reach).
   */
  abstract nestedMembers(group: Pick<DirectoryObject, 'dn' | 'domain'>): Promise<NestedMembers>;

  /** ms-DS-MachineAccountQuota of a domain: how many computers any user may create. Undefined when not readable. */
  abstract machineAccountQuota(domain: string): Promise<number | undefined>;

  /** Paged search in one domain (base defaults to the naming context). */
  abstract search(domain: string, base: string | undefined, options: SearchOptions): AsyncIterable<DirectoryObject>;

  /** Which DC of each domain answers now. */
  abstract status(): Promise<DcStatus[]>;

  /** The SPN aliases (sPNMappings) of the forest the domain belongs to; read once per forest, cached. */
  abstract spnMappings(domain: string): Promise<SpnMappings>;

  /** The DCs of a domain with their msDS-Behavior-Version (nTDSDSA objects in the configuration). */
  abstract dcFunctionalLevels(domain: string): Promise<DcFunctionalLevel[]>;

  /** Lockout, expiry and encryption types of an account. */
  abstract accountState(object: Pick<DirectoryObject, 'dn' | 'domain'>): Promise<AccountState>;
}
