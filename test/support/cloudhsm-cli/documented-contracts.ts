/**
 * What the documented `user list` reply (test/fixtures/transcripts/cloudhsm-cli/user-list.txt)
 * reads into: the `parse` contract, shared by the parser test and the process test so the two
 * can never expect different things.
 */
export const DOCUMENTED_USER_LIST_CONTRACT = {
  command: 'user list',
  users: [
    { username: 'admin', role: 'admin', locked: 'false', mfa: [], clusterCoverage: 'full' },
    {
      username: 'test_user',
      role: 'admin',
      locked: 'false',
      mfa: [{ strategy: 'token-sign', status: 'enabled' }],
      clusterCoverage: 'full',
    },
    {
      username: 'app_user',
      role: 'internal(APPLIANCE_USER)',
      locked: 'false',
      mfa: [],
      clusterCoverage: 'full',
    },
  ],
};
