"""Every term of the CNC ontology (``cnc:``) as a closed namespace: a misspelt term raises.

The term list mirrors ``ontology/cnc.ttl``; ``tests/test_ontology.py`` checks both directions.
"""

from rdflib.namespace import ClosedNamespace

from server.config import ONTOLOGY_NS

CLASSES = (
    "Agreement", "IntergovernmentalAgreement", "DeclarationOfIntent", "AdministrativeArrangement",
    "FrameworkAgreement", "JointStatement",
    "Organisation", "GovernmentBody", "Ministry", "Embassy", "ResearchInstitute", "University",
    "Laboratory", "Company", "FundingAgency", "ScienceNetwork",
    "Committee", "SteeringCommittee", "StrategicCommittee", "JointCommission",
    "DialogueMechanism",
    "JointResearchStructure", "InternationalResearchLaboratory", "InternationalResearchNetwork",
    "InternationalAssociatedLaboratory",
    "Project", "PartnershipProject", "NetworkNode",
    "Event", "DialogueSession", "Inauguration", "Conference", "CommitteeMeeting", "StateVisit",
    "Commemoration",
    "FundingInstrument", "ConferenceCofunding", "MobilityFunding", "YoungResearcherSupport",
    "SummerSchoolSupport", "PartnershipProgramme",
    "Objective", "DeclaredFigure", "Claim", "NameAttestation",
    "Place", "Country", "City",
    "SourceDocument", "CopiedDocument",
)

OBJECT_PROPERTIES = (
    "party", "signatory", "place", "occasion", "country", "steeredBy", "hasGovernanceBody",
    "hasObjective", "nodeOf", "partner", "coordinatingOrganisation", "researchAxis", "location",
    "organiser", "participant", "sessionOf", "partOfEvent", "milestone", "offeredBy", "fundedBy",
    "figureOf", "measure", "qualifier", "claimAbout", "claimProperty", "copyOf",
    "externalIdentifier", "wikidata", "ror", "orcid", "isni", "openalex", "crossrefFunder",
)

DATATYPE_PROPERTIES = (
    "date", "startDate", "endDate", "sessionNumber", "value", "valueQualifier", "asOf",
    "claimValue", "eligibility", "minimumNodes", "publicationAllowed",
)

INDIVIDUALS = (
    "ResearchAxes", "AxisAgriculture", "AxisBiodiversity", "AxisEnvironment",
    "Measures", "MeasureResearchers", "MeasurePhdStudents", "MeasureLaboratories",
    "MeasureJointStructures", "MeasurePartnershipProjects", "MeasureResearchTeams",
    "ValueQualifiers", "QualifierAbout", "QualifierOver", "QualifierPlusOne",
    "Roles", "RoleHeadOfState", "RoleMinister", "RoleAmbassador", "RoleDirector",
    "RoleChiefExecutive", "RolePresident", "RoleCoordinator", "RoleAdviser",
)

TERMS = CLASSES + OBJECT_PROPERTIES + DATATYPE_PROPERTIES + INDIVIDUALS

CNC = ClosedNamespace(ONTOLOGY_NS, TERMS)
