# Installs cronwrap with no Node.js needed: its Debian package (default) or its single executable. Renders
# its config (checked before it replaces the old one), writes the secrets 0600 from an encrypted data bag,
# and declares the jobs as /etc/cron.d entries.

# Either way cronwrap is /usr/bin/cronwrap (on cron's PATH), where the package installs it.
bin = '/usr/bin/cronwrap'

if node['cronwrap']['install'] == 'package'
  # release/cronwrap_<version>_amd64.deb from `npm run package`, put in files/ as cronwrap.deb.
  deb = "#{Chef::Config[:file_cache_path]}/cronwrap.deb"
  cookbook_file deb do
    source 'cronwrap.deb'
  end
  dpkg_package 'cronwrap' do
    source deb
    # /etc/cronwrap/cronwrap.toml is a conffile: keep the one this recipe renders across upgrades.
    options '--force-confdef --force-confold'
  end
else
  # release/cronwrap from `npm run executable`, put in files/ as cronwrap: one file, no package manager.
  cookbook_file bin do
    source 'cronwrap'
    mode '0755'
  end
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

# 0644: every user's cronwrap reads it (a user's job would get "cannot read the config file" mailed on every
# run); the secrets are in the 0600 files above, which it names.
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
  verify "#{bin} config check --config %{path}"
end

node['cronwrap']['jobs'].each do |name, job|
  cron_d "cronwrap-#{name}" do
    minute job['minute']
    hour job['hour']
    user 'root'
    mailto node['cronwrap']['mail_to'].join(',')
    command "#{bin} --name #{name} -- #{job['command']}"
  end
end
