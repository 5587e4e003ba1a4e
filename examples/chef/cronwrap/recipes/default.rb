# Installs Node.js and the single-file cronwrap, renders its config (checked before it replaces the old
# one), writes the secrets 0600 from an encrypted data bag, and declares the jobs as /etc/cron.d entries.

package 'nodejs' # Debian 12 ships Node 18: use NodeSource or your own package for Node >= 20

cookbook_file '/usr/local/bin/cronwrap' do
  source 'cronwrap-standalone.cjs' # copy of dist/cronwrap-standalone.cjs from `npm run build`
  mode '0755'
end

directory '/etc/cronwrap' do
  mode '0755'
end

secrets = data_bag_item('cronwrap', 'secrets') # { "smtp_password": ..., "pagerduty_routing_key": ... }

file '/etc/cronwrap/smtp.secret' do
  content secrets['smtp_password']
  mode '0600'
  sensitive true
end

file '/etc/cronwrap/pagerduty.secret' do
  content secrets['pagerduty_routing_key']
  mode '0600'
  sensitive true
end

template '/etc/cronwrap/cronwrap.toml' do
  source 'cronwrap.toml.erb'
  mode '0644'
  variables(
    mail_to: node['cronwrap']['mail_to'],
    smtp_url: node['cronwrap']['smtp_url'],
    alert_after: node['cronwrap']['alert_after'],
    jobs: node['cronwrap']['jobs']
  )
  # A broken file never reaches the server: cronwrap exits 78 and Chef keeps the old one.
  verify '/usr/local/bin/cronwrap config check --config %{path}'
end

node['cronwrap']['jobs'].each do |name, job|
  cron_d "cronwrap-#{name}" do
    minute job['minute']
    hour job['hour']
    user 'root'
    mailto node['cronwrap']['mail_to'].join(',')
    command "/usr/local/bin/cronwrap --name #{name} -- #{job['command']}"
  end
end
