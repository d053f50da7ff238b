-- Dispatch rules may look at the equipment a ticket names: its family or class, and where it is
-- (the département of its establishment). Expand only: older nodes read the columns they know.
ALTER TABLE routing_rules
    ADD COLUMN ci_family text CHECK (ci_family IN ('workstation', 'server', 'network', 'printer', 'peripheral', 'service')),
    ADD COLUMN ci_class text CHECK (ci_class IN (
        'desktop', 'laptop', 'thin_client', 'tablet', 'server', 'hypervisor', 'farm', 'virtual_machine', 'router', 'core_switch',
        'access_switch', 'firewall', 'wifi_controller', 'access_point', 'printer', 'copier', 'projector', 'interactive_display',
        'application', 'business_service')),
    ADD COLUMN department_code text CHECK (length(department_code) BETWEEN 1 AND 3);
