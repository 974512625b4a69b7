import { refusedDestination } from '../src/partners/destinations';

test('webhooks go to public addresses only, unless private ones are allowed', async () => {
  for (const url of ['http://127.0.0.1/x', 'http://10.0.0.5/x', 'http://172.16.3.4/x', 'http://192.168.1.1/x', 'http://169.254.169.254/latest', 'http://[::1]/x', 'http://[fd00::1]/x', 'http://0.0.0.0/x', 'http://localhost:3306/x']) {
    expect(await refusedDestination(url, false)).toMatch(/adresse interne ou réservée/);
    expect(await refusedDestination(url, true)).toBeNull();
  }
  expect(await refusedDestination('https://93.184.216.34/crochet', false)).toBeNull();
  expect(await refusedDestination('https://[2606:4700::1111]/crochet', false)).toBeNull();
  expect(await refusedDestination('https://nom-inconnu.invalid/crochet', false)).toMatch(/ne correspond à aucune adresse/);
});
