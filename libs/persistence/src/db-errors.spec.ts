import { NotFoundError } from '@app/common';
import { isConnectionLost } from './db-errors';
import { DatabaseConnectionError } from './pg-guard';

const withCode = (code: string) => Object.assign(new Error(code), { code });

describe('isConnectionLost', () => {
  it('is true for errors that leave the connection unusable', () => {
    expect(isConnectionLost(withCode('57P01'))).toBe(true); // terminated by the administrator
    expect(isConnectionLost(withCode('08006'))).toBe(true);
    expect(isConnectionLost(withCode('ECONNRESET'))).toBe(true);
    expect(isConnectionLost(new DatabaseConnectionError('08006', new Error('connection ended while checked out')))).toBe(true);
    expect(isConnectionLost(new Error('Connection terminated unexpectedly'))).toBe(true);
  });

  it('is false for errors of a statement or of the application, after which the connection is fine', () => {
    expect(isConnectionLost(withCode('23505'))).toBe(false);
    expect(isConnectionLost(withCode('57014'))).toBe(false); // statement timeout
    expect(isConnectionLost(withCode('40P01'))).toBe(false);
    expect(isConnectionLost(NotFoundError.resource('Cluster', 'x'))).toBe(false);
  });
});
