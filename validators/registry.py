"""Requirement id -> its check. Every requirement of the rules file has one."""
from __future__ import annotations

from validators import declarations, product, team
from validators.checks import Check, check_company_age, check_company_qualification, check_registered_capital

CHECKS: dict[str, Check] = {
    "company_qualification": check_company_qualification,
    "registered_capital": check_registered_capital,
    "company_age": check_company_age,
    "team_size": team.check_team_size,
    "certified_ops_engineers": team.check_certified_ops_engineers,
    "operations_staff": declarations.check_operations_staff,
    "customer_service_hours": declarations.check_customer_service_hours,
    "agreement_accepted": declarations.check_agreement_accepted,
    "cvm_image_delivery": declarations.check_cvm_image_delivery,
    "api_test_account": declarations.check_api_test_account,
    "reputation": declarations.check_reputation,
    "ops_experience": declarations.check_ops_experience,
    "tencent_cloud_hosting": product.check_tencent_cloud_hosting,
    "product_online": product.check_product_online,
    "registered_users": product.check_registered_users,
    "software_copyright": product.check_software_copyright,
    "customer_cases": product.check_customer_cases,
}
