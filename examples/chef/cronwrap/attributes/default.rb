# 'package': the Debian package (files/cronwrap.deb); 'executable': the single executable (files/cronwrap).
default['cronwrap']['install'] = 'package'
default['cronwrap']['mail_to'] = ['ops@example.com']
default['cronwrap']['smtp_url'] = 'smtps://alerts@smtp.example.com:465'
default['cronwrap']['alert_after'] = 1
default['cronwrap']['jobs'] = {
  'backup' => { 'minute' => '1', 'hour' => '0', 'command' => '/usr/local/bin/backup.sh --full', 'timeout' => '2h' },
  'purge' => { 'minute' => '*/5', 'hour' => '*', 'command' => '/usr/local/bin/purge --old 7d', 'timeout' => '10m' },
}
