import { REQUIRED_ROLES } from '../auth/roles.decorator';
import type { Role } from '../auth/roles';
import { RequestsController } from '../requests/requests.controller';
import { CHAT_COMMAND_ROLES } from './chatops.service';

const restRoles = (method: keyof RequestsController): Role[] =>
  Reflect.getMetadata(REQUIRED_ROLES, RequestsController.prototype[method]);

describe('chat command roles', () => {
  it('are those of the REST route doing the same thing', () => {
    expect(CHAT_COMMAND_ROLES.grant).toEqual(restRoles('create'));
    expect(CHAT_COMMAND_ROLES.revoke).toEqual(restRoles('create'));
    expect(CHAT_COMMAND_ROLES.approve).toEqual(restRoles('approve'));
    expect(CHAT_COMMAND_ROLES.reject).toEqual(restRoles('reject'));
    expect(CHAT_COMMAND_ROLES.cancel).toEqual(restRoles('cancel'));
    expect(CHAT_COMMAND_ROLES['revoke-grant']).toEqual(restRoles('revoke'));
    expect(CHAT_COMMAND_ROLES.extend).toEqual(restRoles('extend'));
  });

  it('leave only reads open to unmapped chat users', () => {
    const open = Object.entries(CHAT_COMMAND_ROLES)
      .filter(([, roles]) => roles === null)
      .map(([kind]) => kind);
    expect(open.sort()).toEqual(['help', 'show', 'status']);
  });
});
